/**
 * A JSON value kept as its text (as an event store read it), for a json(b) column: the COPY writer
 * sends the text as it is instead of serializing a parsed object again. Anything else that serializes
 * the row (JSON.stringify: the JSON write path) gets the value back.
 */
export class JsonText {
  constructor(readonly text: string) {}

  toJSON(): unknown { return JSON.parse(this.text) as unknown; }
}
