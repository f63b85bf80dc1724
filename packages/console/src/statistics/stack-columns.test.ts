import { describe, expect, it } from "vitest";
import { bucketLabel, stackColumns } from "./stack-columns.ts";

describe("stackColumns", () => {
  it("stacks each bucket's values bottom to top in the preferred order, skipping zeros", () => {
    const { columns, keys, max } = stackColumns(
      [
        { label: "01-04", values: { failed: 1, succeeded: 3 } },
        { label: "01-05", values: {} },
        { label: "01-06", values: { succeeded: 0, running: 2 } },
      ],
      ["succeeded", "failed", "running"],
    );
    expect(keys).toEqual(["succeeded", "failed", "running"]);
    expect(max).toBe(4);
    expect(columns[0]).toEqual({
      label: "01-04",
      total: 4,
      segments: [
        { key: "succeeded", value: 3, y0: 0, y1: 3 },
        { key: "failed", value: 1, y0: 3, y1: 4 },
      ],
    });
    expect(columns[1]).toEqual({ label: "01-05", total: 0, segments: [] });
    expect(columns[2]?.segments).toEqual([{ key: "running", value: 2, y0: 0, y1: 2 }]);
  });

  it("keeps a key it was not told about (a new status), after the known ones", () => {
    const { keys } = stackColumns([{ label: "a", values: { queued: 1, zeta: 2, succeeded: 1 } }], ["succeeded"]);
    expect(keys).toEqual(["succeeded", "queued", "zeta"]);
  });

  it("gives an empty window a scale of 1, not 0 (no division by zero when drawing)", () => {
    expect(stackColumns([{ label: "a", values: {} }], []).max).toBe(1);
  });
});

describe("bucketLabel", () => {
  it("shows a day as MM-DD and an hour as HH:MM, in UTC", () => {
    expect(bucketLabel("2026-01-04T00:00:00.000Z", "day")).toBe("01-04");
    expect(bucketLabel("2026-01-08T06:00:00.000Z", "hour")).toBe("06:00");
  });
});
