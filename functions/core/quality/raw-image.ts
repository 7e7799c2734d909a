/** One decoded image, as the decoder adapters hand it to the pure metrics code. */
export interface RawImage {
  /** Interleaved 8-bit samples, `channels` per pixel. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
  /** The last channel is alpha and is ignored: lets the decoder skip the libvips pass that strips it. */
  hasAlpha?: boolean;
}
