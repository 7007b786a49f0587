import type { ConnectionStatus } from "../chat/state";

interface StatusBannerProps {
  online: boolean;
  connection: ConnectionStatus;
  notice: string | null;
  onDismissNotice(): void;
}

export const OFFLINE_TEXT =
  "インターネットに接続されていません。接続が戻ると、また送信できるようになります。";
export const RECONNECTING_TEXT =
  "サーバーとの接続が途切れたため、再接続しています。送信できなかったときは、しばらくしてから「再送する」を押してください。";

export function StatusBanner({ online, connection, notice, onDismissNotice }: StatusBannerProps) {
  return (
    <div className="banners">
      <div role="status" aria-live="polite">
        {!online && <p className="banner banner-offline">{OFFLINE_TEXT}</p>}
        {online && connection === "reconnecting" && (
          <p className="banner banner-warning">{RECONNECTING_TEXT}</p>
        )}
      </div>
      {notice && (
        <div className="banner banner-info" role="status">
          <span>{notice}</span>
          <button
            type="button"
            className="banner-close"
            aria-label="お知らせを閉じる"
            onClick={onDismissNotice}
          >
            ×
          </button>
        </div>
      )}
    </div>
  );
}
