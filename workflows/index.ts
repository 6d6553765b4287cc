/** Everything the worker's workflow bundle registers. */
export { searchWorkflow } from './search.workflow.js';
