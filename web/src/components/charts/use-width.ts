import { type RefObject, useEffect, useRef, useState } from 'react';

/**
 * The pixel width of the element the ref is put on, kept current: charts draw at the size they are shown,
 * so their text stays legible on a phone instead of shrinking with a viewBox.
 */
export function useWidth<E extends HTMLElement>(fallback = 640): [RefObject<E | null>, number] {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(260, Math.floor(el.getBoundingClientRect().width)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}
