import type { Source } from "../api/types";
import { formatAsOf, safeUrl } from "../chat/format";

export function SourceList({ sources }: { sources: Source[] }) {
  if (sources.length === 0) return null;
  return (
    <section className="sources" aria-label="回答の出典">
      <h3 className="sources-title">参考にした情報</h3>
      <ul>
        {sources.map((source) => (
          <SourceItem key={source.faqId} source={source} />
        ))}
      </ul>
    </section>
  );
}

function SourceItem({ source }: { source: Source }) {
  const url = safeUrl(source.url);
  const asOf = formatAsOf(source.asOf);
  return (
    <li className="source">
      <span className="source-question">{source.question}</span>
      <span className="source-meta">
        {url && (
          <a href={url} target="_blank" rel="noopener noreferrer">
            公式情報を見る<span className="visually-hidden">（新しいタブで開きます）</span>
          </a>
        )}
        {asOf && <span className="source-asof">{asOf}</span>}
        {source.verified === false && <span className="source-unverified">公式サイトで要確認</span>}
      </span>
    </li>
  );
}
