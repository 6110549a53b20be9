import { codeSpans } from './code-spans';

/**
 * Problem and hint text with its backtick spans shown as code. Every message, hint and error the
 * services send is written with that convention, so every place that shows one uses this.
 */
export function Hint({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <>
      {codeSpans(text).map((part, i) => (part.code ? <code key={i}>{part.text}</code> : part.text))}
    </>
  );
}
