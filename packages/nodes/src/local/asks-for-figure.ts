/**
 * Questions that ask for a figure (a time, a duration, a count, a limit) and sentences that state
 * one: the offline answer model prefers the second when given the first.
 * @module
 */

const ASKS_FOR_FIGURE =
  /\b(?:when|how\s+(?:long|many|much|often|soon|quickly|fast|late|early|big|large)|what\s+time|which\s+day)\b|몇|언제|얼마|며칠/iu;

const DAY_OR_PERIOD =
  "monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekdays?|weekends?|daily|weekly|monthly|nightly|hourly|yearly|annually|every|second|minute|hour|day|week|month|quarter|year";
/** A digit, or a named day, period or unit of time (`every Monday`, `within one hour`, `매주 월요일`). */
const STATES_FIGURE = new RegExp(
  `\\p{N}|\\b(?:${DAY_OR_PERIOD})s?\\b|[월화수목금토일]요일|매일|매주|매달|매월|매년|분기|주말|평일|오전|오후|새벽|즉시`,
  "iu",
);

/** Whether the question asks when, how long, how many or how much (`언제`, `몇`, `얼마`, `며칠`). */
export function asksForFigure(question: string): boolean {
  return ASKS_FOR_FIGURE.test(question.normalize("NFKC"));
}

/** Whether the sentence states a figure: a number, a day, a period or a unit of time. */
export function statesFigure(sentence: string): boolean {
  return STATES_FIGURE.test(sentence.normalize("NFKC"));
}
