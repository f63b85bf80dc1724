import { expect, it } from "vitest";
import { main } from "./main.ts";

it("runs a custom node type inside the engine", async () => {
  expect(await main("ship it")).toBe("SHIP IT!!!");
});
