// upstream's helper.DefaultNormalizeScore: scales scores so the best node gets 100 (or, reversed,
// so the node with the highest raw score gets 0); all-zero scores become 0 (reversed: 100).

import { maxNodeScore, type NodeScore } from './interfaces.ts';

export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, max = maxNodeScore): void {
  let highest = 0;
  for (const s of scores) if (s.score > highest) highest = s.score;
  if (highest === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / highest);
    if (reverse) v = max - v;
    s.score = v;
  }
}
