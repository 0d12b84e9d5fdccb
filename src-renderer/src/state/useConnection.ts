/**
 * The state of the window's link to the browser host (`open`, `lost`, `stale-token`), for the banner that
 * says when the host has gone or was restarted. Always `open` under Electron, whose window has no
 * connection to lose.
 */
import { useEffect, useState } from 'react';
import type { StudioApi } from '../../../src-shared/api/index';
import { WsStudioClient } from '../transport';
import type { ConnectionState } from '../transport/ws-client';

export function useConnection(api: StudioApi): ConnectionState {
  const [state, setState] = useState<ConnectionState>('open');
  useEffect(() => (api instanceof WsStudioClient ? api.onConnection(setState) : undefined), [api]);
  return state;
}
