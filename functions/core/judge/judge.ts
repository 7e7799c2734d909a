/**
 * The content judge: a multimodal model's verdict on what an image shows, against what its
 * prompt asked for. This file holds the port, the answer's schema (which both generates the
 * model's `responseJsonSchema` and validates its answer), the rubric, and the flags a verdict
 * raises. Pure: the Gemini adapter is in functions/adapters/gemini/gemini-judge.ts.
 */
import { z } from 'zod';

export const JUDGE_MODES = ['gemini', 'none'] as const;
export type JudgeMode = (typeof JUDGE_MODES)[number];

export const ARTIFACT_KINDS = ['malformed_person', 'malformed_hands', 'malformed_face', 'duplicated_limbs', 'garbled_text', 'other'] as const;
export const CONCERN_KINDS = ['violence', 'weapons', 'real_person_likeness', 'stereotype', 'cultural_insensitivity', 'nudity', 'other'] as const;

/** What the model must answer: generated into JSON Schema for the request, and checked again on the answer. */
export const judgeAnswerSchema = z
  .object({
    relevance: z.number().int().min(1).max(5).describe('How well the image matches the prompt and scenario: 1 not at all, 5 fully'),
    reason: z.string().min(1).max(400).describe('One sentence explaining the relevance score'),
    elements: z
      .array(z.object({ variable: z.string().max(100), present: z.boolean() }).strict())
      .max(50)
      .describe('One entry per requested element, in the order given: is it visible in the image?'),
    artifacts: z.array(z.enum(ARTIFACT_KINDS)).max(ARTIFACT_KINDS.length).describe('Generation artifacts seen; empty when none'),
    inappropriate: z.boolean().describe('True if the image shows content unsuitable for a respectful training dataset'),
    concerns: z.array(z.enum(CONCERN_KINDS)).max(CONCERN_KINDS.length).describe('Why it is inappropriate, or other sensitivities seen; empty when none'),
    caption: z.string().min(1).max(400).describe('One factual sentence describing the image, usable as a training caption'),
    culturalSensitivity: z.enum(['ok', 'concern']).describe('concern if people, places, dress or customs are shown disrespectfully or by stereotype; ok otherwise'),
    scenarioAligned: z.boolean().describe('True if the image shows the scenario and category it was asked for'),
  })
  .strict();
/**
 * A verdict as stored: the model must answer all four human checks (relevance, inappropriate,
 * cultural sensitivity, scenario alignment), but verdicts stored before the last two were asked lack them.
 */
export type JudgeAnswer = Omit<z.infer<typeof judgeAnswerSchema>, 'culturalSensitivity' | 'scenarioAligned'> & Partial<Pick<z.infer<typeof judgeAnswerSchema>, 'culturalSensitivity' | 'scenarioAligned'>>;

/** The JSON Schema sent as `responseJsonSchema`; `$schema` is dropped, as the API documents only the schema body. */
export function judgeResponseJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(judgeAnswerSchema) as Record<string, unknown>;
  return schema;
}

export interface JudgeRequest {
  /** The downscaled image the model sees. */
  image: { mimeType: string; data: Buffer };
  rubric: string;
  /** The variables whose values are the requested elements, in the order the rubric lists them. */
  elements: string[];
}

export interface JudgeUsage {
  imageTokens: number | null;
  promptTokens: number | null;
  outputTokens: number | null;
}

export interface JudgeResult {
  answer: JudgeAnswer;
  usage: JudgeUsage;
  model: string;
}

export interface ImageJudge {
  readonly model: string;
  /**
   * Judges one image. Throws JudgeFailedError when the answer can never be used (blocked, not
   * JSON, against the schema): the verdict is then `failed`. Any other error is transient.
   */
  judge(request: JudgeRequest): Promise<JudgeResult>;
}

export class JudgeFailedError extends Error {
  constructor(
    /** Short machine-readable reason: `blocked:SAFETY`, `invalid_json`, `schema: …`, `api_error:400`. */
    readonly reason: string,
    message?: string,
  ) {
    super(message ?? reason);
    this.name = 'JudgeFailedError';
  }
}

/** Checks an answer's text against the schema and the request's elements; throws JudgeFailedError when it does not fit. */
export function parseJudgeAnswer(text: string, elements: string[]): JudgeAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new JudgeFailedError('invalid_json', `the judge's answer is not JSON: ${text.slice(0, 120)}`);
  }
  const parsed = judgeAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ');
    throw new JudgeFailedError(`schema: ${detail.slice(0, 200)}`);
  }
  const answered = parsed.data.elements.map((element) => element.variable);
  if (answered.length !== elements.length || elements.some((element) => !answered.includes(element))) {
    throw new JudgeFailedError(`schema: elements must answer ${elements.join(', ')}; got ${answered.join(', ') || 'none'}`);
  }
  return parsed.data;
}

/** The most of the scenario's context the rubric quotes: enough for the setting, bounded in tokens. */
const CONTEXT_CHARS = 1500;

export interface RubricInput {
  prompt: string;
  category: string;
  variables: Record<string, string>;
  scenarioName: string;
  context?: string | undefined;
}

/** The instructions beside the image: what was asked, element by element, and how to answer. */
export function buildRubric(input: RubricInput): { rubric: string; elements: string[] } {
  const elements = Object.keys(input.variables);
  const context = (input.context ?? '').slice(0, CONTEXT_CHARS);
  const lines = [
    'You are checking one generated image for a synthetic, fictional training dataset. Judge only what is visible.',
    `Scenario: ${input.scenarioName}.${context ? ` Context: ${context}` : ''}`,
    `Category: ${input.category}.`,
    `Prompt: ${input.prompt}`,
    'Requested elements (answer each in "elements", with its name as "variable"):',
    ...elements.map((name) => `- ${name}: ${input.variables[name]}`),
    'relevance: 1 = ignores the prompt, 3 = partly matches, 5 = matches the prompt, category and scenario fully, in a fitting setting.',
    'artifacts: malformed people, hands or faces; duplicated limbs; garbled or nonsensical text (e.g. on placards); other generation defects.',
    'inappropriate: true for violence, weapons, the likeness of a real, identifiable person, stereotypes or cultural insensitivity; list them in concerns.',
    'culturalSensitivity: "concern" if people, places, dress or customs are shown disrespectfully or reduced to a stereotype, else "ok".',
    'scenarioAligned: true if the image shows the scenario and the category named above, false if it shows something else.',
    'caption: one factual sentence describing the image for a captioning dataset, without judging it.',
  ];
  return { rubric: lines.join('\n'), elements };
}

export const JUDGE_FLAGS = ['off_prompt', 'missing_elements', 'artifacts', 'inappropriate_content'] as const;
export type JudgeFlag = (typeof JUDGE_FLAGS)[number];

export interface JudgeThresholds {
  offPromptRelevance: number;
  missingElements: number;
  artifacts: number;
}

/** The flags a verdict raises, in JUDGE_FLAGS order. */
export function judgeIssues(answer: JudgeAnswer, thresholds: JudgeThresholds): JudgeFlag[] {
  const missing = answer.elements.filter((element) => !element.present).length;
  const raised: Record<JudgeFlag, boolean> = {
    off_prompt: answer.relevance <= thresholds.offPromptRelevance,
    missing_elements: missing >= thresholds.missingElements,
    artifacts: answer.artifacts.length >= thresholds.artifacts,
    inappropriate_content: answer.inappropriate,
  };
  return JUDGE_FLAGS.filter((flag) => raised[flag]);
}
