import { describe, expect, it } from "vitest";
import { MissingServiceError, ServiceContainer, Services } from "./service-container.ts";

describe("ServiceContainer", () => {
  it("resolves by typed token, scopes child registrations, names missing services", () => {
    const root = new ServiceContainer().register(Services.Clock, { now: () => 1 });
    const run = root.createScope().register(Services.Clock, { now: () => 2 });
    expect(root.resolve(Services.Clock).now()).toBe(1);
    expect(run.resolve(Services.Clock).now()).toBe(2);
    expect(run.createScope().resolve(Services.Clock).now()).toBe(2);
    expect(() => run.forRequester("retrieve").resolve(Services.VectorStore)).toThrow(
      new MissingServiceError("VectorStore", "retrieve"),
    );
    expect(run.tryResolve(Services.Embedder)).toBeUndefined();
  });

  it("calls a factory once per container", () => {
    let made = 0;
    const services = new ServiceContainer().registerFactory(Services.Clock, () => {
      made++;
      return { now: () => 5 };
    });
    services.resolve(Services.Clock);
    services.resolve(Services.Clock);
    expect(made).toBe(1);
  });
});
