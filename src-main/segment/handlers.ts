/**
 * Handlers of segment.packs / segment.encode / segment.predict (src-shared/api/segment.ts). Pack and
 * image problems become BAD_REQUEST errors with the pack's or the decoder's own message.
 */
import { ApiFailure, type HandlerMap } from '../api/index';
import { PackError, PipelineInputError } from '../pipeline/errors';
import type { SegmentService } from './service';

function mapped<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((err: unknown) => {
    if (err instanceof PackError || err instanceof PipelineInputError) throw new ApiFailure('BAD_REQUEST', err.message);
    throw err;
  });
}

export function segmentHandlers(service: SegmentService): HandlerMap<'segment.packs' | 'segment.encode' | 'segment.predict'> {
  return {
    'segment.packs': () => service.list(),
    'segment.encode': (req) => mapped(() => service.encode(req)),
    'segment.predict': (req) => mapped(() => service.predict(req)),
  };
}
