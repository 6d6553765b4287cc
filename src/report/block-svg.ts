/**
 * Drawings of block networks (MnasNet and PONAS spaces, where cell drawings do not apply): one box
 * per stage, in order, with its op (`ir` MBConv, `ds` depthwise-separable, `cn` conv), kernel,
 * expansion, repeats, stride, output channels and SE, as the stage grammar of
 * src/space/block-string.ts names them; the box's height grows with the stage's output channels
 * and a stride-2 stage is marked. The genotype is untrusted JSON (a trial spec): it goes through
 * the space's parser, and every label is escaped.
 */
import { getSpace } from '../space/index.js';
import { mnasnetStages, type MnasnetGenotype } from '../space/mnasnet.js';
import { ponasStages, type PonasGenotype } from '../space/ponas.js';
import type { StageSpec } from '../space/block-string.js';
import { esc, px } from './html.js';

const BOX_W = 74;
const GAP = 12;
const PER_ROW = 10;
const ROW_H = 112;

/** The stages of a MnasNet or PONAS genotype, or undefined for other spaces and unparsable JSON. */
export function blockStages(space: string | undefined, genotype: unknown): StageSpec[] | undefined {
  if (space !== 'mnasnet' && space !== 'ponas') return undefined;
  try {
    const parsed = getSpace(space).parse(genotype);
    return space === 'mnasnet' ? mnasnetStages(parsed as MnasnetGenotype) : ponasStages(parsed as PonasGenotype);
  } catch {
    return undefined;
  }
}

function stageLines(s: StageSpec): string[] {
  const op = s.type === 'ir' ? `MBConv e${s.expansion}` : s.type === 'ds' ? 'sep conv' : 'conv';
  return [op, `k${s.kernel}${s.repeats > 1 ? ` ×${s.repeats}` : ''}`, `${s.out} ch`, s.se > 0 ? `SE ${s.se}` : ''].filter(Boolean);
}

/** One figure of the network's stages, or undefined when the space has no block stages. */
export function drawBlocks(id: string, space: string | undefined, genotype: unknown): string | undefined {
  const stages = blockStages(space, genotype);
  if (!stages || stages.length === 0) return undefined;
  const maxOut = Math.max(...stages.map((s) => s.out));
  const rows = Math.ceil(stages.length / PER_ROW);
  const width = Math.min(stages.length, PER_ROW) * (BOX_W + GAP) + GAP;
  const height = rows * ROW_H;
  const parts = stages.map((s, i) => {
    const x = GAP + (i % PER_ROW) * (BOX_W + GAP);
    const base = Math.floor(i / PER_ROW) * ROW_H + ROW_H - 10;
    const h = 56 + 40 * Math.sqrt(s.out / maxOut);
    const lines = stageLines(s)
      .map((t, k) => `<text class="block-label" x="${px(x + BOX_W / 2)}" y="${px(base - h + 16 + k * 14)}" text-anchor="middle">${esc(t)}</text>`)
      .join('');
    const title = `stage ${i + 1}: ${s.type} kernel ${s.kernel}, expansion ${s.expansion}, repeats ${s.repeats}, stride ${s.stride}, ${s.out} channels, SE ${s.se}, skip ${s.skip}`;
    return `<g class="stage"><rect class="block ${esc(s.type)}${s.stride > 1 ? ' stride2' : ''}" x="${px(x)}" y="${px(base - h)}" width="${BOX_W}" height="${px(h)}" rx="5"><title>${esc(title)}</title></rect>${lines}${
      s.stride > 1 ? `<text class="tick" x="${px(x + BOX_W / 2)}" y="${px(base + 9)}" text-anchor="middle">/2</text>` : ''
    }</g>`;
  });
  const caption = `${space ?? ''} network: ${stages.length} stages (box height grows with output channels; /2 marks stride 2)`;
  return `<figure class="cell blocks"><svg id="${esc(id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(caption)}">${parts.join('')}</svg><figcaption>${esc(caption)}</figcaption></figure>`;
}
