/**
 * A search's pack table (pack-slots.ts) in one ConfigMap, written with optimistic concurrency: a
 * replace carries the resourceVersion it read, so two workers placing trials at once cannot both
 * win; the loser reads again and places again.
 */
import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { API_VERSION, KIND } from '../api/resource-spec.js';
import { parsePackTable, type PackTable } from './pack-slots.js';
import { isConflict, isNotFound } from './adapter.js';

const DATA_KEY = 'packs.json';

export interface VersionedTable {
  table: PackTable;
  /** Absent when no ConfigMap exists yet (the first write creates it). */
  resourceVersion?: string;
}

export interface PackTables {
  read(namespace: string, name: string): Promise<VersionedTable>;
  /** false: someone wrote since `read` (or created it first); read again. */
  write(namespace: string, name: string, next: PackTable, read: VersionedTable, owner?: { name: string; uid: string }): Promise<boolean>;
}

export class ConfigMapPackTables implements PackTables {
  constructor(private readonly core: Pick<CoreV1Api, 'readNamespacedConfigMap' | 'createNamespacedConfigMap' | 'replaceNamespacedConfigMap'>) {}

  async read(namespace: string, name: string): Promise<VersionedTable> {
    try {
      const cm = await this.core.readNamespacedConfigMap({ namespace, name });
      return { table: parsePackTable(cm.data?.[DATA_KEY]), ...(cm.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}) };
    } catch (err) {
      if (isNotFound(err)) return { table: parsePackTable(undefined) };
      throw err;
    }
  }

  async write(namespace: string, name: string, next: PackTable, read: VersionedTable, owner?: { name: string; uid: string }): Promise<boolean> {
    const body: V1ConfigMap = {
      metadata: {
        name,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'nasflow', 'app.kubernetes.io/component': 'pack-table' },
        ...(read.resourceVersion ? { resourceVersion: read.resourceVersion } : {}),
        // Owned by the search resource: deleted with it, like its Jobs.
        ...(owner ? { ownerReferences: [{ apiVersion: API_VERSION, kind: KIND, name: owner.name, uid: owner.uid }] } : {}),
      },
      data: { [DATA_KEY]: JSON.stringify(next) },
    };
    try {
      if (read.resourceVersion === undefined) await this.core.createNamespacedConfigMap({ namespace, body });
      else await this.core.replaceNamespacedConfigMap({ namespace, name, body });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }
}
