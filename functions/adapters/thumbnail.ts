import sharp from 'sharp';

/** A 256-pixel preview for the gallery grid, so a page of thumbnails stays light. */
export const makeThumbnail = (png: Buffer): Promise<Buffer> =>
  sharp(png).resize(256, 256, { fit: 'inside', withoutEnlargement: true }).png({ compressionLevel: 6 }).toBuffer();
