import { expect, it } from "vitest";
import { DEMO_MESSAGES, main } from "./main.ts";

it("remembers the user's name across turns and answers each question of a message", async () => {
  const { turns, variables } = await main(DEMO_MESSAGES);
  const [first, second] = turns;
  // Turn 1: the name is taken, and both questions get their own cited answer, in order.
  expect(first?.answer).toMatch(/^Hello Ada! 2 questions so far\.\n/);
  const returns = first?.answer.indexOf("**How many days do I have to return a bike?**") ?? -1;
  const shipping = first?.answer.indexOf("**Do you ship to Norway?**") ?? -1;
  expect(returns).toBeGreaterThan(0);
  expect(shipping).toBeGreaterThan(returns);
  expect(first?.answer.slice(returns, shipping)).toMatch(/\[1\]/);
  // Turn 2 says no name, yet is greeted by it: the session remembered.
  expect(second?.answer).toMatch(/^Hello Ada! 3 questions so far\.\n\n\*\*Is my e-bike battery covered/);
  expect(variables).toEqual({ name: "Ada", questions_asked: 3 });
}, 120_000);
