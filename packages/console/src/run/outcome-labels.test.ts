import { describe, expect, it } from "vitest";
import { outcomeLabels } from "./outcome-labels.ts";

describe("outcomeLabels", () => {
  it("names the branch taken and how a failure was handled, the fail branch once", () => {
    expect(outcomeLabels({ branch: "greeting", handled_by: null })).toEqual(["→ greeting"]);
    expect(outcomeLabels({ branch: "fail", handled_by: "fail-branch" })).toEqual(["fail branch"]);
    expect(outcomeLabels({ branch: null, handled_by: "default-value" })).toEqual(["default value"]);
    expect(outcomeLabels({ branch: null, handled_by: null })).toEqual([]);
  });
});
