import type { ReactNode } from "react";

/**
 * Preformatted text that may scroll (long JSON, a rendered prompt): focusable, so keyboard users
 * can scroll it too, and named, so a screen reader says what it is.
 */
export function ScrollBox({
  label,
  children,
  testId,
}: {
  readonly label: string;
  readonly children: ReactNode;
  readonly testId?: string;
}) {
  return (
    <section aria-label={label} className="scroll-box">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1) */}
      <pre tabIndex={0} data-testid={testId}>
        {children}
      </pre>
    </section>
  );
}
