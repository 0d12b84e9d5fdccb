/**
 * Handlers of segment.packs / segment.encode / segment.predict (src-shared/api/segment.ts). The service
 * (and with it onnxruntime-node) is loaded on the first encode/predict, so the main process starts
 * without the native runtime when nobody segments. Pack and image problems become BAD_REQUEST errors
 * carrying the pack's or the decoder's own message.
 */
import { ApiFailure, type HandlerMap } from '../api/index';
import { PackError, PipelineInputError } from '../pipeline/errors';
import { scanSegPacks } from './discover';
import type { SegmentService, SegmentServiceOptions } from './service';

function mapped<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((err: unknown) => {
    if (err instanceof PackError || err instanceof PipelineInputError) throw new ApiFailure('BAD_REQUEST', err.message);
    throw err;
  });
}

export interface SegmentApi {
  handlers: HandlerMap<'segment.packs' | 'segment.encode' | 'segment.predict'>;
  /** Releases the ONNX sessions (when the service was ever loaded). */
  close(): Promise<void>;
}

export function segmentApi(o: SegmentServiceOptions): SegmentApi {
  let service: Promise<SegmentService> | null = null;
  const get = () => (service ??= import('./service').then((m) => new m.SegmentService(o)));
  return {
    handlers: {
      'segment.packs': () => scanSegPacks(o.packRoots),
      'segment.encode': (req) => mapped(async () => (await get()).encode(req)),
      'segment.predict': (req) => mapped(async () => (await get()).predict(req)),
    },
    close: async () => { if (service) await (await service).close(); },
  };
}
