/**
 * croissant.json: the dataset described in Croissant 1.1 JSON-LD (MLCommons), with the
 * Responsible-AI vocabulary. Pure: it hashes the text files it is given, and takes the images'
 * digests from the writer (ExportInput.imageSha256), because only the writer holds their bytes.
 */
import { createHash } from 'node:crypto';
import { SPLIT_NAMES } from './dataset-options.js';
import { exported, imagePath, type ExportInput } from './export-model.js';
import { datasetOptionsOf, splitPlanOf } from './export-splits.js';
import { IMAGE_GLOB } from './dataset-card.js';
import { labelKeysOf } from './review-export.js';
import { captionOf } from './hf-metadata.js';
import { referenceStatement } from './reference-export.js';

/** The standard Croissant 1.1 @context (as mlcroissant writes it), plus the RAI and PROV-O prefixes. */
const CONTEXT = {
  '@language': 'en',
  '@vocab': 'https://schema.org/',
  arrayShape: 'cr:arrayShape',
  citeAs: 'cr:citeAs',
  column: 'cr:column',
  conformsTo: 'dct:conformsTo',
  containedIn: 'cr:containedIn',
  cr: 'http://mlcommons.org/croissant/',
  rai: 'http://mlcommons.org/croissant/RAI/',
  prov: 'http://www.w3.org/ns/prov#',
  data: { '@id': 'cr:data', '@type': '@json' },
  dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
  dct: 'http://purl.org/dc/terms/',
  description: { '@container': '@language' },
  equivalentProperty: 'cr:equivalentProperty',
  examples: { '@id': 'cr:examples', '@type': '@json' },
  extract: 'cr:extract',
  field: 'cr:field',
  fileProperty: 'cr:fileProperty',
  fileObject: 'cr:fileObject',
  fileSet: 'cr:fileSet',
  format: 'cr:format',
  includes: 'cr:includes',
  isArray: 'cr:isArray',
  isLiveDataset: 'cr:isLiveDataset',
  jsonPath: 'cr:jsonPath',
  key: 'cr:key',
  md5: 'cr:md5',
  name: { '@container': '@language' },
  parentField: 'cr:parentField',
  path: 'cr:path',
  recordSet: 'cr:recordSet',
  references: 'cr:references',
  regex: 'cr:regex',
  repeated: 'cr:repeated',
  replace: 'cr:replace',
  samplingRate: 'cr:samplingRate',
  sc: 'https://schema.org/',
  separator: 'cr:separator',
  source: 'cr:source',
  subField: 'cr:subField',
  transform: 'cr:transform',
};

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const ENCODING: Record<string, string> = { json: 'application/json', jsonl: 'application/jsonlines', csv: 'text/csv', md: 'text/markdown', png: 'image/png' };
const encodingOf = (path: string): string => ENCODING[path.split('.').pop() ?? ''] ?? 'application/octet-stream';
/** Ids name files by path; Croissant ids must not contain characters that need escaping in references. */
const fileId = (path: string): string => path;

/** A column of metadata.jsonl, or a key inside one (`review.relevance`). */
/** BibTeX braces and backslashes would end the entry early; user text loses them. */
const bibtex = (text: string): string => text.replace(/[{}\\]/g, '');

type Field = { name: string; dataType: string; column: string; key?: string; description: string };

function metadataField(recordSet: string, field: Field) {
  return {
    '@type': 'cr:Field',
    '@id': `${recordSet}/${field.name}`,
    name: field.name,
    description: field.description,
    dataType: field.dataType,
    source: { fileObject: { '@id': 'generated_images/metadata.jsonl' }, extract: { column: field.column }, ...(field.key ? { transform: { jsonPath: field.key } } : {}) },
  };
}

/**
 * `files` are the export's text files (their sha256 is taken here); images get theirs from
 * input.imageSha256, and an image without a digest is still covered by the image FileSet.
 */
export function croissantJson(input: ExportInput, files: ReadonlyArray<{ path: string; text: string }>): string {
  const { run } = input;
  const options = datasetOptionsOf(input);
  const plan = splitPlanOf(input);
  const images = input.prompts.filter(exported);
  const judged = images.some((p) => captionOf(p) !== null);
  const references = referenceStatement(input.prompts);
  const embedded = run.provider === 'embedded';
  const textObjects = files.map((file) => ({ '@type': 'cr:FileObject', '@id': fileId(file.path), name: file.path, contentUrl: file.path, encodingFormat: encodingOf(file.path), sha256: sha256Hex(file.text) }));
  const imageObjects = images.flatMap((prompt) => {
    const sha256 = input.imageSha256?.get(imagePath(prompt));
    return sha256 ? [{ '@type': 'cr:FileObject', '@id': fileId(imagePath(prompt)), name: imagePath(prompt), contentUrl: imagePath(prompt), encodingFormat: 'image/png', sha256 }] : [];
  });
  const fields: Field[] = [
    { name: 'file_name', dataType: 'sc:Text', column: 'file_name', description: 'The image file, relative to generated_images/.' },
    { name: 'id', dataType: 'sc:Text', column: 'id', description: 'The prompt id.' },
    { name: 'label', dataType: 'sc:Text', column: 'label', description: 'The scenario category.' },
    { name: 'prompt', dataType: 'sc:Text', column: 'prompt', description: 'The prompt the image was generated from.' },
    ...(judged ? [{ name: 'caption', dataType: 'sc:Text', column: 'caption', description: "The judge model's one-sentence caption; empty when not judged." }] : []),
    ...(references ? [{ name: 'reference_ids', dataType: 'sc:Text', column: 'reference_ids', description: 'Ids of the reference photographs that guided the image, space-separated; empty when none. The photographs are not included.' }] : []),
    { name: 'usable', dataType: 'sc:Boolean', column: 'usable', description: 'No issue flag, not rated below 3, not marked inappropriate.' },
    { name: 'relevance', dataType: 'sc:Integer', column: 'review', key: 'relevance', description: 'Human relevance rating 1-5; 0 when not rated.' },
    { name: 'inappropriate', dataType: 'sc:Boolean', column: 'review', key: 'inappropriate', description: 'Marked inappropriate by a reviewer.' },
    { name: 'culturalSensitivity', dataType: 'sc:Text', column: 'review', key: 'culturalSensitivity', description: 'Cultural sensitivity as a reviewer assessed it: ok or concern; empty when not assessed.' },
    { name: 'scenarioAligned', dataType: 'sc:Text', column: 'review', key: 'scenarioAligned', description: 'Whether a reviewer verified the image shows its scenario and category: yes or no; empty when not verified.' },
    ...labelKeysOf(images).map((key) => ({ name: `label_${key}`, dataType: 'sc:Text', column: 'labels', key, description: `The cohort label "${key}" (yes/no or a choice); empty when not set.` })),
    { name: 'split', dataType: 'sc:Text', column: 'split', description: 'train, validation, test, or excluded.' },
    { name: 'exclusion', dataType: 'sc:Text', column: 'exclusion', description: 'Why an image is in no split; empty otherwise.' },
  ];
  const document = {
    '@context': CONTEXT,
    '@type': 'sc:Dataset',
    conformsTo: 'http://mlcommons.org/croissant/1.1',
    name: `${run.scenario.name} (synthetic images)`,
    description: `${images.length} synthetic images of the fictional scenario "${run.scenario.name}", generated by ${run.provider} (${run.model}) with seed ${run.seed}. Every image is synthetic and every person in it fictional.${references ? ` ${references}` : ''}`,
    license: options.license,
    url: `urn:run:${run.runId}`,
    version: '1.0.0',
    datePublished: input.exportedAt,
    keywords: ['synthetic', 'fictional', ...run.categories],
    isLiveDataset: false,
    citeAs: `@misc{run_${run.runId.replace(/[^A-Za-z0-9_-]/g, '_')}, title = {${bibtex(run.scenario.name)} (synthetic images)}, note = {Synthetic image dataset: run ${bibtex(run.runId)}, ${bibtex(run.provider)} ${bibtex(run.model)}, seed ${run.seed}}, year = {${input.exportedAt.slice(0, 4)}}}`,
    'prov:wasGeneratedBy': { '@type': 'prov:Activity', 'prov:startedAtTime': run.createdAt, 'prov:used': [`${run.provider}:${run.model}`], description: `run ${run.runId}, seed ${run.seed}` },
    'rai:dataCollection': `Synthetic generation: prompts planned from the fictional scenario's templates and variation axes (seed ${run.seed}), each rendered once by ${embedded ? 'the embedded procedural renderer, a placeholder that is not a generative model' : `the image model ${run.model}`}. No data was collected from people.`,
    'rai:dataCollectionType': ['Synthetic data'],
    'rai:dataUseCases': ['Education and research on the fictional scenario: building, assessing and documenting image datasets; training and evaluating classifiers on its categories; captioning experiments. Not for decisions about real people.'],
    'rai:dataLimitations': `Images show what the prompts asked for, as ${embedded ? 'a simple procedural renderer draws it' : 'the model renders it'}; variety is bounded by the scenario's templates and axes; automatic flags come from pixel statistics and miss content errors a person would see.`,
    'rai:dataBiases': `Category and axis balance follow the scenario's weights (see metadata/generation_parameters.json); ${embedded ? 'the renderer draws stylised figures' : "the model's own biases in how people, places and crowds are depicted carry over"}.`,
    'rai:personalSensitiveInformation': 'None: every image is synthetic and every person in it fictional; no real person is depicted or named.',
    'rai:dataAnnotationProtocol': 'Automatic pixel metrics and quality flags (dark, blurry, duplicates …) for every image; a multimodal judge model where enabled; human relevance ratings and inappropriate-content flags from the gallery where given.',
    'rai:machineAnnotationTools': ['quality metrics of this project (functions/core/metrics.ts, quality.ts)', ...(judged ? ['judge model (see metadata/generation_parameters.json)'] : [])],
    distribution: [
      ...textObjects,
      ...imageObjects,
      { '@type': 'cr:FileSet', '@id': 'image-files', name: 'image-files', description: 'The PNG images, one folder per category.', encodingFormat: 'image/png', includes: IMAGE_GLOB },
    ],
    recordSet: [
      {
        '@type': 'cr:RecordSet',
        '@id': 'splits',
        name: 'splits',
        description: 'The dataset splits.',
        dataType: 'cr:Split',
        key: { '@id': 'splits/name' },
        field: [{ '@type': 'cr:Field', '@id': 'splits/name', name: 'name', dataType: 'sc:Text' }],
        data: SPLIT_NAMES.filter((split) => plan.perSplit[split] > 0).map((split) => ({ 'splits/name': split })),
      },
      {
        '@type': 'cr:RecordSet',
        '@id': 'images',
        name: 'images',
        description: 'One record per image, from generated_images/metadata.jsonl.',
        key: { '@id': 'images/id' },
        field: fields.map((field) => metadataField('images', field)),
      },
      {
        '@type': 'cr:RecordSet',
        '@id': 'image-content',
        name: 'image-content',
        description: 'The image bytes, with the category read from the folder name.',
        field: [
          { '@type': 'cr:Field', '@id': 'image-content/image', name: 'image', dataType: 'sc:ImageObject', source: { fileSet: { '@id': 'image-files' }, extract: { fileProperty: 'content' } } },
          { '@type': 'cr:Field', '@id': 'image-content/label', name: 'label', dataType: 'sc:Text', source: { fileSet: { '@id': 'image-files' }, extract: { fileProperty: 'fullpath' }, transform: { regex: '^(?:.*/)?generated_images/([^/]+)/[^/]+\\.png$' } } },
        ],
      },
    ],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
