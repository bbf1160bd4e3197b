/** Widths the image route renders (a fixed set, so nobody can make the server resize to every size). */
export const IMAGE_WIDTHS = [160, 320, 480, 640, 960] as const;
export type ImageWidth = (typeof IMAGE_WIDTHS)[number];

const STORED = /^\/img\/([a-f0-9]{64}\.(?:svg|png|jpg|webp))$/;

/** The resized WebP of a stored image, or the URL itself for an external one. */
export function imageUrl(src: string, width: ImageWidth): string {
  const match = STORED.exec(src);
  return match ? `/img/w${width}/${match[1]}.webp` : src;
}

export function srcset(src: string, widths: readonly ImageWidth[]): string | undefined {
  if (!STORED.test(src)) return undefined;
  return widths.map((w) => `${imageUrl(src, w)} ${w}w`).join(', ');
}

interface ImageProps {
  src: string | null;
  alt: string;
  widths: readonly ImageWidth[];
  sizes: string;
  /** Above the fold: load at once and early; else lazily. */
  eager?: boolean;
  class?: string;
}

/** A product image with `srcset`/`sizes`; lazy below the fold. */
export function ResponsiveImage(props: ImageProps): JSX.Element {
  if (!props.src) return <div class={`${props.class ?? ''} no-image`} role="img" aria-label={props.alt}></div>;
  const fallback = imageUrl(props.src, props.widths[Math.min(1, props.widths.length - 1)]!);
  return (
    <img
      class={props.class}
      src={fallback}
      srcset={srcset(props.src, props.widths)}
      sizes={props.sizes}
      alt={props.alt}
      width="600"
      height="600"
      loading={props.eager ? 'eager' : 'lazy'}
      decoding="async"
      fetchpriority={props.eager ? 'high' : undefined}
    />
  );
}
