import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PipelinesResponse, PipelineView, SessionUser } from './api/types';

/** Who is signed in and the pipelines they see: loaded once after sign-in, shared by every page. */
export interface Session {
  user: SessionUser;
  config: PipelinesResponse;
  signOut(): Promise<void>;
  /** Loads the pipelines again (after a config reload the board draws the new stages). */
  reloadConfig(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export function pipelineByKey(config: PipelinesResponse, kind: 'lead' | 'deal', key?: string): PipelineView | undefined {
  if (kind === 'lead') return config.leads;
  return config.deals.find((pipeline) => pipeline.key === key);
}

/** Analytics is for those who steer: admin, sales ops and managers. */
export function seesAnalytics(user: SessionUser): boolean {
  return user.role === 'admin' || user.role === 'ops' || user.role === 'manager';
}

/** The automation map is for those who steer: admin, sales ops and managers; editing for ops and admins. */
export function seesAutomation(user: SessionUser): boolean {
  return user.role === 'admin' || user.role === 'ops' || user.role === 'manager';
}
