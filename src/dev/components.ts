/** What a started part of the dev stack reports: its processes and the endpoints users need. */
import type { ServiceProcess } from './service.js';

export interface StartedComponent<E> {
  name: string;
  processes: ServiceProcess[];
  endpoints: E;
}

export interface ComponentOptions {
  /** Folder for this component's data and logs (created if missing). */
  dir: string;
  /** Keep running after the starting process exits (`dev up`). */
  detached?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Search attributes nasflow registers on the dev server (DESIGN.md "Contracts"). */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, string>> = {
  NasAlgorithm: 'Keyword',
  NasPhase: 'Keyword',
  NasTrialsCompleted: 'Int',
  NasBestAccuracy: 'Double',
  NasSearchName: 'Keyword',
};
