/**
 * The example photos that ship with the app, offered in the empty image panel: one click opens a photo
 * with its mask (the library's own import, reused the next time), so a first run needs nothing from the
 * user. Absent when the installation has none.
 */
import { useEffect, useState } from 'react';
import type { ExampleInfo, StudioApi } from '../../../src-shared/api';
import { count } from '../../../src-shared/count';

interface Props {
  api: StudioApi;
  onOpen: (id: string) => void;
  busy: boolean;
}

export function ExamplePicker({ api, onOpen, busy }: Props) {
  const [examples, setExamples] = useState<ExampleInfo[]>([]);
  useEffect(() => {
    let live = true;
    // No examples to offer is not an error worth a message: the drop hint above still says what to do.
    api.invoke('examples.list', {}).then((list) => { if (live) setExamples(list); }, () => undefined);
    return () => { live = false; };
  }, [api]);
  if (examples.length === 0) return null;
  return (
    <div className="examples">
      <p className="muted" id="examples-label">Or start from an example (photo and mask made by the project’s generator):</p>
      <ul aria-labelledby="examples-label">
        {examples.map((e) => (
          <li key={e.id}>
            <button type="button" disabled={busy} onClick={() => onOpen(e.id)} aria-label={`Open example ${e.id}`}
              title={`${e.id}: ${e.width}×${e.height}, ${count(e.masks, 'mask')}`}>
              <img src={`data:image/png;base64,${e.thumb}`} alt="" />
              <span>{e.id}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
