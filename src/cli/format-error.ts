import { InterruptedError, ProviderError, TtsError } from '../errors.js';

/**
 * One place turns any error into what the user reads: what failed, the provider's own words with
 * status, code and request id, and a hint. Stack traces only with --debug.
 */
export function formatError(error: unknown, { debug }: { debug: boolean }): string {
  const lines: string[] = [];
  if (error instanceof TtsError) {
    if (error.kind === 'interrupted') {
      const by = error instanceof InterruptedError ? error.signal : undefined;
      return by === undefined || by === 'SIGINT' ? 'tts: interrupted' : `tts: interrupted by ${by}`;
    }
    lines.push(`tts: ${error.message}`);
    if (error instanceof ProviderError) {
      const { status, code, type, requestId } = error.details;
      const facts = [
        status !== undefined ? `status ${status}` : undefined,
        code !== undefined ? `code ${code}` : undefined,
        type !== undefined && type !== code ? `type ${type}` : undefined,
        requestId !== undefined ? `request id ${requestId}` : undefined,
      ].filter(Boolean);
      if (facts.length > 0) lines.push(`  (${facts.join(', ')})`);
    }
    if (error.hint) lines.push(`  hint: ${error.hint}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`tts: unexpected error: ${message}`);
    if (!debug) lines.push('  hint: run again with --debug for details, and report it if it persists.');
  }
  if (debug && error instanceof Error && error.stack) lines.push(error.stack);
  return lines.join('\n');
}

/**
 * The same error for scripts (--json): what kind it is, the message and hint as printed, the exit
 * code, and the provider's status, code and request id where it answered.
 */
export function errorJson(error: unknown, exitCode: number): string {
  return JSON.stringify({ error: errorFields(error, exitCode) });
}

/** The fields of errorJson's object, for a JSON document that lists several errors (a batch's files). */
export function errorFields(error: unknown, exitCode: number): Record<string, unknown> {
  const base = {
    kind: error instanceof TtsError ? error.kind : 'unexpected',
    message: error instanceof Error ? error.message : String(error),
    hint: error instanceof TtsError ? (error.hint ?? null) : null,
    exitCode,
  };
  if (!(error instanceof ProviderError)) return base;
  const { provider, status, code, requestId } = error.details;
  return { ...base, provider, status: status ?? null, code: code ?? null, requestId: requestId ?? null };
}
