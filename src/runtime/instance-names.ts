/**
 * How node instances are named in events and results. Outside loops: the node id ("rgb"). In an octave loop:
 * "dreamed@2" (octave 2, 0 = smallest). In a frame loop: "rgb@f12" (frame 12, 0-based in the listed frames), and
 * an octave loop inside it: "dreamed@f12/o2". Events also carry `frame` and `octave` as numbers.
 */
export function instanceName(nodeId: string, at: { frame?: number; octave?: number }): string {
  if (at.frame === undefined) return at.octave === undefined ? nodeId : `${nodeId}@${at.octave}`;
  return at.octave === undefined ? `${nodeId}@f${at.frame}` : `${nodeId}@f${at.frame}/o${at.octave}`;
}
