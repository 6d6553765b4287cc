import { describeAlgorithmConformance } from './algorithm-conformance.js';
import { findCase } from './cases.js';

describeAlgorithmConformance(findCase('random/nb201'));
