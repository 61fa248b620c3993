/**
 * The flood of the pipeline benchmark, known to both sides: the fake engine that writes it
 * (pipeline/run.ts) and the engine stub that lists its containers (pipeline/worker.ts).
 */
import { createHash } from 'node:crypto';

/** How many distinct containers the flood is about. */
export const CONTAINERS = 2000;
/** The life of a container, in the engine's words, repeated. */
const CYCLE = ['start', 'health_status: healthy', 'health_status: unhealthy', 'die'] as const;

/** The containers' full ids, the same in every process for one label key. */
export function containerIds(label: string): string[] {
  return Array.from({ length: CONTAINERS }, (_, i) =>
    createHash('sha256').update(`${label}/${i}`).digest('hex'),
  );
}

/** Event `i` of the flood, as the engine writes it (one line). */
export function syntheticEvent(i: number, label: string, ids: readonly string[]): string {
  const c = i % ids.length;
  const action = CYCLE[Math.floor(i / ids.length) % CYCLE.length] as string;
  const id = ids[c] as string;
  const timeNano = 1_700_000_000_000_000_000n + BigInt(i) * 1000n;
  const attributes: Record<string, string> = { image: 'bench', name: `bench-${c}`, [label]: 'true' };
  if (action === 'die') attributes.exitCode = '137';
  return `${JSON.stringify({
    status: action,
    id,
    from: 'bench',
    Type: 'container',
    Action: action,
    Actor: { ID: id, Attributes: attributes },
    scope: 'local',
    time: Number(timeNano / 1_000_000_000n),
  }).slice(0, -1)},"timeNano":${timeNano}}\n`;
}
