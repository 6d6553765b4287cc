/** What a started part of the dev stack reports: its processes and the endpoints users need. */
import type { ServiceProcess } from './service.js';
import type { SearchAttributeType } from '@temporalio/common';
import { NAS_SEARCH_ATTRIBUTES } from '../api/search-attributes.js';

const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  TEXT: 'Text',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export interface StartedComponent<E> {
  name: string;
  processes: ServiceProcess[];
  endpoints: E;
  /** The ports it listens on, so a restart can ask for the same ones. */
  ports?: number[];
}

export interface ComponentOptions {
  /** Folder for this component's data and logs (created if missing). */
  dir: string;
  /** Keep running after the starting process exits (`dev up`). */
  detached?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Ports to reuse when all of them are free (a restart keeps the address); else fresh ones. */
  ports?: readonly number[];
  /** How long to wait for `ports` to come free (they belong to a server that was just stopped). */
  portsWaitMs?: number;
}

/** Search attributes nasflow registers on the dev server (docs/design.md "Contracts"), as the CLI spells their types. */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, string>> = Object.fromEntries(NAS_SEARCH_ATTRIBUTES.map((k) => [k.name, CLI_TYPE_NAMES[k.type]]));
