/**
 * Whether the keyboard focus was lost (the focused element left the DOM, so it fell back to
 * <body>): a view that replaced it may take the focus then, and must not steal it otherwise (a
 * tab switched with the arrow keys keeps its focus).
 */
export function focusWasLost(): boolean {
  const active = document.activeElement;
  return active === null || active === document.body;
}
