/**
 * Which instance a reader reads: in its own frame and octave, the previous octave or frame (back-edges), the last
 * octave of a loop it is outside of (pending until that loop has expanded), a pyramid level of its loop's split,
 * or a value given to the pass (an earlier pass's node, a gathered file list).
 */
import type { PassScope } from './executor.ts';
import { instanceName } from './instance-names.ts';
import type { PipelineGraph, PipelineNode } from './pipeline.ts';

/** A reader's view of a producer: an instance, or one level of a pyramid instance. null: no value (octave 0, frame 0). */
export type Ref = { instance: string; level?: number } | null | 'pending';

export class RefResolver {
  constructor(
    private readonly graph: PipelineGraph,
    private readonly scope: PassScope,
    /** octave-split id → its octave count, once expanded */
    private readonly expanded: ReadonlyMap<string, number>,
  ) {}

  /** An octave back-edge: `from` at the previous octave (null at octave 0). */
  backRef(from: string, octave: number | undefined): Ref {
    return octave === 0 || octave === undefined ? null : { instance: instanceName(from, { frame: this.scope.frame?.index, octave: octave - 1 }) };
  }

  /** A frame back-edge: the previous frame's value of `from` (null at frame 0). */
  frameRef(from: string): Ref {
    const x = this.scope.previousFrame?.get(from);
    return x ? { instance: x.instance } : null;
  }

  /** A forward input of `reader` (in loop `readerLoop`) at `octave`; gathering nodes read the gathered file list. */
  inputRef(from: string, reader: PipelineNode, readerLoop: string | undefined, octave: number | undefined): Ref {
    if (reader.def.gathersFrames) {
      const g = this.scope.gathered?.get(from);
      if (g) return { instance: g.instance };
    }
    return this.refFor(from, readerLoop, octave);
  }

  refFor(from: string, readerLoop: string | undefined, octave: number | undefined): Ref {
    const ext = this.scope.external?.get(from);
    if (ext) return { instance: ext.instance };
    const frame = this.scope.frame?.index;
    if (readerLoop !== undefined && from === readerLoop) return { instance: instanceName(from, { frame }), level: octave };
    const loop = this.graph.loopOf.get(from);
    if (loop === undefined) return { instance: instanceName(from, { frame }) };
    if (loop === readerLoop) return { instance: instanceName(from, { frame, octave }) };
    const n = this.expanded.get(loop);
    return n === undefined ? 'pending' : { instance: instanceName(from, { frame, octave: n - 1 }) }; // outside the loop: the last octave
  }
}
