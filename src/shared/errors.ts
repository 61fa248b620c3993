/** The text of anything thrown, for a log field or a one-line message. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
