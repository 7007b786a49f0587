import { splitLinks } from "../chat/format";

/** Plain text with line breaks kept and http(s) URLs as links; never parsed as HTML. */
export function RichText({ text, inline = false }: { text: string; inline?: boolean }) {
  const Tag = inline ? "span" : "p";
  return (
    <Tag className="rich-text">
      {splitLinks(text).map((part, index) =>
        part.kind === "link" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable text
          <a key={index} href={part.url} target="_blank" rel="noopener noreferrer">
            {part.url}
          </a>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable text
          <span key={index}>{part.text}</span>
        ),
      )}
    </Tag>
  );
}
