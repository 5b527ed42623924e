/** Every resource carries the release candidate it rehearses, so cost and clean-up can be traced to it. */
export const RELEASE_CANDIDATE_TAG = 'rehearsal:release-candidate';

export type Tags = Readonly<Record<string, string>>;

export function releaseCandidateTags(releaseCandidate: string, name?: string): Tags {
  const tags: Record<string, string> = { [RELEASE_CANDIDATE_TAG]: releaseCandidate };
  if (name !== undefined) tags['Name'] = name;
  return tags;
}
