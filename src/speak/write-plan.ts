import type { Plan, PlannedRequest } from '../plan/plan-requests.js';
import type { TimelineEvent, TimelineSink } from '../timeline/timeline.js';
import type { OutputSet } from './output-set.js';
import type { RequestFeed } from './request-feed.js';

export interface WritePlanOptions {
  plan: Plan;
  feed: RequestFeed;
  outputs: OutputSet;
  timeline: readonly TimelineSink[];
  /** Someone is listening: write each request's audio as it arrives, not once it is complete. */
  follow: boolean;
  /** The server sends raw samples, so a retry can resume mid-request (see ChunkBuffer.read). */
  resumable: boolean;
}

/**
 * Writes the plan in output order: each request's audio through every output's joiner as it
 * arrives, and each item's place in the output to the timeline sinks. Pure sequencing: fetching,
 * joining and writing are the feed's, the joiners' and the sinks' business.
 */
export async function writePlan(options: WritePlanOptions): Promise<void> {
  for (const item of options.plan.items) {
    const at = options.outputs.seconds();
    switch (item.kind) {
      case 'request':
        await writeRequest(item.request, options);
        break;
      case 'pause':
        await options.outputs.silence(item.ms);
        // Before the stream's first chunk its position is not known yet; the pause still comes first.
        await tell(options.timeline, { kind: 'pause', start: at, end: Math.max(options.outputs.seconds(), at + item.ms / 1000) });
        break;
      case 'chapter':
        options.outputs.chapter();
        await tell(options.timeline, { kind: 'chapter', index: item.index, title: item.title, start: at });
        break;
      case 'mark':
        await tell(options.timeline, { kind: 'mark', name: item.name, at });
        break;
    }
  }
  await options.outputs.finish();
  await Promise.all(options.timeline.map((sink) => sink.finish(options.outputs.seconds())));
}

async function writeRequest(request: PlannedRequest, options: WritePlanOptions): Promise<void> {
  const { feed, outputs, timeline } = options;
  const buffer = await feed.audio(request.index);
  for await (const bytes of buffer.read({ follow: options.follow, resumable: options.resumable })) {
    await outputs.push(bytes);
    for (const sink of timeline) sink.audio?.(bytes);
  }
  await outputs.endChunk();
  await feed.written(buffer);
  await tell(timeline, { kind: 'request', request, start: outputs.chunkStart(), end: outputs.seconds() });
}

async function tell(sinks: readonly TimelineSink[], event: TimelineEvent): Promise<void> {
  for (const sink of sinks) await sink.event(event);
}
