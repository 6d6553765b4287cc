/** The built-in algorithms plus the toy: adding a method to a registry is this one line. */
import { ALGORITHMS } from '../../../src/algorithms/catalog.js';
import { toyAlgorithm } from './toy/definition.js';

export const WITH_TOY = [...ALGORITHMS, toyAlgorithm] as const;
