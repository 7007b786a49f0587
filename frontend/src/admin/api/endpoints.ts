// Typed calls of every console endpoint, over AdminHttp.

import type { AdminHttp } from "./http";
import type {
  Analytics,
  Carrier,
  Conversation,
  FaqDraft,
  FaqEntry,
  FaqWrite,
  GapList,
  ImportReport,
  Page,
  Transcript,
  TryResponse,
} from "./types";

export type FileFormat = "yaml" | "json" | "csv";

export const MEDIA_TYPES: Record<FileFormat, string> = {
  yaml: "application/yaml",
  json: "application/json",
  csv: "text/csv",
};

export interface FaqFilter {
  q?: string;
  category?: string;
  brand?: string;
  verified?: boolean;
  published?: boolean;
  limit?: number;
  offset?: number;
}

export interface ConversationFilter {
  handoff?: boolean;
  feedback?: "up" | "down";
  confidenceBelow?: number;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export interface DateWindow {
  from?: string;
  to?: string;
}

const enc = encodeURIComponent;

export class AdminApi {
  constructor(readonly http: AdminHttp) {}

  listFaqs(filter: FaqFilter): Promise<Page<FaqEntry>> {
    return this.http.json({ method: "GET", path: "/api/admin/faqs", query: { ...filter } });
  }

  getFaq(key: string): Promise<FaqEntry> {
    return this.http.json({ method: "GET", path: `/api/admin/faqs/${enc(key)}` });
  }

  createFaq(body: FaqWrite): Promise<FaqEntry> {
    return this.http.json({ method: "POST", path: "/api/admin/faqs", json: body });
  }

  updateFaq(key: string, body: FaqWrite): Promise<FaqEntry> {
    return this.http.json({ method: "PUT", path: `/api/admin/faqs/${enc(key)}`, json: body });
  }

  deleteFaq(key: string): Promise<void> {
    return this.http.json({ method: "DELETE", path: `/api/admin/faqs/${enc(key)}` });
  }

  exportFile(kind: "faqs" | "carriers", format: FileFormat): Promise<Blob> {
    return this.http.blob({ method: "GET", path: `/api/admin/${kind}/export`, query: { format } });
  }

  importFile(kind: "faqs" | "carriers", format: FileFormat, body: Blob | string, dryRun: boolean) {
    return this.http.json<ImportReport>({
      method: "POST",
      path: `/api/admin/${kind}/import`,
      query: { format, dryRun },
      raw: { body, contentType: MEDIA_TYPES[format] },
    });
  }

  listCarriers(): Promise<{ items: Carrier[] }> {
    return this.http.json({ method: "GET", path: "/api/carriers" });
  }

  putCarrier(id: string, document: unknown): Promise<{ id: string; created: boolean }> {
    return this.http.json({ method: "PUT", path: `/api/admin/carriers/${enc(id)}`, json: document });
  }

  tryQuestion(question: string, limit = 5): Promise<TryResponse> {
    return this.http.json({ method: "POST", path: "/api/admin/try", json: { question, limit } });
  }

  listConversations(filter: ConversationFilter): Promise<Page<Conversation>> {
    return this.http.json({ method: "GET", path: "/api/admin/conversations", query: { ...filter } });
  }

  getTranscript(id: string): Promise<Transcript> {
    return this.http.json({ method: "GET", path: `/api/admin/conversations/${enc(id)}` });
  }

  listGaps(window: DateWindow, lowConfidence?: number): Promise<GapList> {
    return this.http.json({ method: "GET", path: "/api/admin/gaps", query: { ...window, lowConfidence } });
  }

  draftFaq(key: string, window: DateWindow): Promise<FaqDraft> {
    return this.http.json({ method: "POST", path: "/api/admin/gaps/faq-draft", json: { key, ...window } });
  }

  analytics(window: DateWindow, top = 10): Promise<Analytics> {
    return this.http.json({ method: "GET", path: "/api/admin/analytics", query: { ...window, top } });
  }
}
