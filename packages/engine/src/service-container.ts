import "reflect-metadata";
import { type DependencyContainer, container as rootContainer } from "tsyringe";
import type { ChatModel, Clock, Embedder, Logger, Reranker, RunRecorder, VectorStore } from "./services.ts";

/** A typed key for a service. The name appears in errors. */
export class ServiceToken<T> {
  declare readonly __type: T;
  readonly key: symbol;
  constructor(readonly name: string) {
    this.key = Symbol(name);
    Object.freeze(this);
  }
}

/** Tokens for the services the engine declares. */
export const Services = Object.freeze({
  Embedder: new ServiceToken<Embedder>("Embedder"),
  ChatModel: new ServiceToken<ChatModel>("ChatModel"),
  VectorStore: new ServiceToken<VectorStore>("VectorStore"),
  Reranker: new ServiceToken<Reranker>("Reranker"),
  RunRecorder: new ServiceToken<RunRecorder>("RunRecorder"),
  Clock: new ServiceToken<Clock>("Clock"),
  Logger: new ServiceToken<Logger>("Logger"),
});

export class MissingServiceError extends Error {
  override readonly name = "MissingServiceError";
  constructor(
    readonly token: string,
    readonly requester: string | undefined,
  ) {
    super(
      requester
        ? `service "${token}" is not registered (asked for by node "${requester}")`
        : `service "${token}" is not registered`,
    );
  }
}

/** Read-only access to services, as a node sees it. */
export interface ServiceResolver {
  resolve<T>(token: ServiceToken<T>): T;
  tryResolve<T>(token: ServiceToken<T>): T | undefined;
  has(token: ServiceToken<unknown>): boolean;
}

/**
 * Services by typed token, over a tsyringe container. The executor opens a child scope per run,
 * so a run's registrations never leak into another run or into the parent.
 *
 * A scope's own tsyringe container is made on its first registration: until then it resolves
 * exactly as its parent does (it holds nothing else), so a run that registers nothing of its own
 * pays nothing for its scope.
 *
 * @example
 * const services = new ServiceContainer().register(Services.Embedder, new LocalEmbedder());
 * const embedder = services.resolve(Services.Embedder);
 */
export class ServiceContainer implements ServiceResolver {
  #own: DependencyContainer | undefined;
  /** Set for a scope made by `createScope`. */
  readonly #parent: ServiceContainer | undefined;

  /** Over a tsyringe container (the global one by default), or as a scope of another ServiceContainer. */
  constructor(parent?: DependencyContainer | ServiceContainer) {
    if (parent instanceof ServiceContainer) this.#parent = parent;
    else this.#own = (parent ?? rootContainer).createChildContainer();
  }

  get #container(): DependencyContainer {
    this.#own ??= (this.#parent as ServiceContainer).#container.createChildContainer();
    return this.#own;
  }

  register<T>(token: ServiceToken<T>, value: T): this {
    this.#container.register(token.key, { useValue: value });
    return this;
  }

  /** Registers a factory called once per container on first resolve. */
  registerFactory<T>(token: ServiceToken<T>, factory: (services: ServiceContainer) => T): this {
    let made = false;
    let value: T | undefined;
    this.#container.register(token.key, {
      useFactory: () => {
        if (!made) {
          value = factory(this);
          made = true;
        }
        return value as T;
      },
    });
    return this;
  }

  has(token: ServiceToken<unknown>): boolean {
    if (this.#own === undefined) return (this.#parent as ServiceContainer).has(token);
    return this.#own.isRegistered(token.key, true);
  }

  resolve<T>(token: ServiceToken<T>, requester?: string): T {
    if (this.#own === undefined) return (this.#parent as ServiceContainer).resolve(token, requester);
    if (!this.has(token)) throw new MissingServiceError(token.name, requester);
    return this.#own.resolve<T>(token.key);
  }

  tryResolve<T>(token: ServiceToken<T>): T | undefined {
    if (this.#own === undefined) return (this.#parent as ServiceContainer).tryResolve(token);
    return this.has(token) ? this.#own.resolve<T>(token.key) : undefined;
  }

  /** A child scope: sees this container's services, registers its own without touching them. */
  createScope(): ServiceContainer {
    return new ServiceContainer(this);
  }

  /** A resolver that names `requester` in its errors (what a node's `ctx.services` is). */
  forRequester(requester: string): ServiceResolver {
    return {
      resolve: (token) => this.resolve(token, requester),
      tryResolve: (token) => this.tryResolve(token),
      has: (token) => this.has(token),
    };
  }
}
