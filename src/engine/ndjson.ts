/**
 * An incremental parser for newline-delimited JSON, the format of the engine's `/events`
 * stream. It owns the reassembly of lines from arbitrary chunks and never throws: a bad
 * line is reported and skipped, so one broken message cannot end the subscription.
 */
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this without a newline is dropped: the engine's events are a few KiB. */
export const DEFAULT_MAX_LINE_CHARS = 1024 * 1024;

export interface NdjsonParseError {
  /** Why the line was rejected. */
  reason: 'invalid_json' | 'line_too_long';
  /** The start of the offending line, for a log line (never the whole of a huge line). */
  sample: string;
}

export interface NdjsonParserOptions {
  /** One parsed value; `line` is its source text (used to read numbers JSON would round). */
  onValue(value: unknown, line: string): void;
  onError?(error: NdjsonParseError): void;
  maxLineChars?: number;
}

const SAMPLE_CHARS = 200;

export class NdjsonParser {
  private readonly decoder = new StringDecoder('utf8');
  private readonly maxLineChars: number;
  /** Text received after the last newline. */
  private pending = '';
  /** True while skipping the rest of an oversize line, up to its newline. */
  private discarding = false;
  private errors = 0;

  constructor(private readonly options: NdjsonParserOptions) {
    this.maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  }

  /** Lines rejected so far (bad JSON or oversize). */
  get parseErrors(): number {
    return this.errors;
  }

  /** Feeds one chunk; complete lines are delivered before this returns. */
  push(chunk: Buffer | string): void {
    // The decoder keeps the first bytes of a multi-byte character cut by the chunk boundary.
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    // Walks the chunk by index, one string per line and none for the rest of the chunk.
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      if (this.discarding) {
        this.discarding = false;
      } else {
        const tail = text.slice(start, newline);
        this.handleLine(this.pending === '' ? tail : this.pending + tail);
      }
      this.pending = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (this.discarding) return;
    if (start < text.length) this.pending += text.slice(start);
    if (this.pending.length > this.maxLineChars) {
      this.reject('line_too_long', this.pending);
      this.pending = '';
      this.discarding = true;
    }
  }

  /** The stream ended: a last line without its newline is still parsed (or reported). */
  end(): void {
    const rest = this.decoder.end();
    if (rest) this.push(rest);
    if (!this.discarding) this.handleLine(this.pending);
    this.pending = '';
    this.discarding = false;
  }

  private handleLine(raw: string): void {
    // CRLF and stray whitespace are framing, not content.
    const line = raw.trim();
    if (line === '') return;
    if (line.length > this.maxLineChars) {
      this.reject('line_too_long', line);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.reject('invalid_json', line);
      return;
    }
    this.options.onValue(value, line);
  }

  private reject(reason: NdjsonParseError['reason'], line: string): void {
    this.errors += 1;
    this.options.onError?.({ reason, sample: line.slice(0, SAMPLE_CHARS) });
  }
}
