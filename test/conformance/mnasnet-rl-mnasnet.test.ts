import { describeAlgorithmConformance } from './algorithm-conformance.js';
import { findCase } from './cases.js';

describeAlgorithmConformance(findCase('mnasnet-rl/mnasnet'));
