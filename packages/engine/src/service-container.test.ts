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

  it("keeps a scope's registrations out of its parent and its siblings, and shows it the parent's later ones", () => {
    const root = new ServiceContainer();
    const a = root.createScope();
    const b = root.createScope();
    const inner = a.createScope();
    a.register(Services.Clock, { now: () => 7 });
    root.register(Services.Logger, { debug() {}, info() {}, warn() {}, error() {} });
    expect(inner.resolve(Services.Clock).now()).toBe(7);
    expect(root.has(Services.Clock)).toBe(false);
    expect(b.tryResolve(Services.Clock)).toBeUndefined();
    expect(() => b.resolve(Services.Clock, "llm")).toThrow(new MissingServiceError("Clock", "llm"));
    for (const scope of [a, b, inner]) expect(scope.has(Services.Logger)).toBe(true);
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
