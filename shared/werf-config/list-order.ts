/** werf lists Dockerfile images first (parser.go prepareWerfConfig), then Stapel images and artifacts. */
export function werfListOrder(images: readonly { kind: string }[]): number[] {
  const indices = images.map((_, i) => i);
  return [...indices.filter((i) => images[i]!.kind === 'dockerfile'), ...indices.filter((i) => images[i]!.kind !== 'dockerfile')];
}
