export function TypingIndicator() {
  return (
    <div className="row row-assistant">
      <div className="bubble bubble-assistant typing">
        <span className="visually-hidden">回答を作成しています</span>
        <span className="dot" aria-hidden="true" />
        <span className="dot" aria-hidden="true" />
        <span className="dot" aria-hidden="true" />
      </div>
    </div>
  );
}
