import { describe, expect, it } from "vitest";
import { runActions } from "./run-actions.ts";

const enabled = (status: string, busy = false) => {
  const a = runActions(status, busy);
  return { cancel: a.cancel.enabled, resume: a.resume.enabled, rerun: a.rerun.enabled };
};

describe("runActions", () => {
  it("offers cancel while queued or running, and neither resume nor rerun", () => {
    for (const status of ["queued", "running"]) {
      expect(enabled(status)).toEqual({ cancel: true, resume: false, rerun: false });
    }
    expect(runActions("running").rerun.reason).toMatch(/not ended yet/);
  });

  it("offers resume and rerun for failed, interrupted and cancelled runs", () => {
    for (const status of ["failed", "interrupted", "cancelled"]) {
      expect(enabled(status)).toEqual({ cancel: false, resume: true, rerun: true });
    }
  });

  it("offers only rerun for a succeeded run, saying why resume is disabled", () => {
    expect(enabled("succeeded")).toEqual({ cancel: false, resume: false, rerun: true });
    expect(runActions("succeeded").resume.reason).toBe(
      "The run succeeded: there is nothing to resume. Rerun it instead.",
    );
    expect(runActions("succeeded").cancel.reason).toContain("has ended (succeeded)");
    expect(enabled("partial-succeeded")).toEqual({ cancel: false, resume: false, rerun: true });
  });

  it("disables everything while an action is in flight", () => {
    expect(enabled("failed", true)).toEqual({ cancel: false, resume: false, rerun: false });
    expect(runActions("failed", true).resume.reason).toMatch(/in progress/);
  });
});
