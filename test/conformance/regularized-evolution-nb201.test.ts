import { describeAlgorithmConformance } from './algorithm-conformance.js';
import { findCase } from './cases.js';

describeAlgorithmConformance(findCase('regularized-evolution/nb201'));
