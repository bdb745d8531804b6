/** Text plus a `mention` entity for `@username` at the start. */
export function mentionText(
  username: string,
  rest: string,
): { text: string; entities: { type: string; offset: number; length: number }[] } {
  const handle = `@${username}`;
  return { text: `${handle} ${rest}`, entities: [{ type: "mention", offset: 0, length: handle.length }] };
}
