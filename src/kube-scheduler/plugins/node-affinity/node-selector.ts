// Matching nodes against core/v1 NodeSelectorTerms: the shared helpers of src/api, which the
// DaemonSet controller uses too.

export { anyTermMatches, termMatches } from '../../../api/core/v1/scheduling-helpers.ts';
