// Typed calls of the console's user-management and audit-log endpoints (admins only).

import type { AdminHttp } from "./http";
import type { Role, User } from "./types";

export interface UserInvite {
  email: string;
  displayName: string;
  password: string;
  role: Role;
}

export interface UserChange {
  displayName?: string;
  role?: Role;
  isActive?: boolean;
}

export interface AuditEntry {
  id: number;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, string | number | boolean | null>;
  createdAt: string;
  clientAddress: string | null;
}

export interface AuditFilter {
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
  beforeId?: number;
  limit?: number;
}

export interface AuditPage {
  items: AuditEntry[];
  nextBeforeId: number | null;
}

const enc = encodeURIComponent;

export class UsersApi {
  constructor(private readonly http: AdminHttp) {}

  list(): Promise<{ items: User[] }> {
    return this.http.json({ method: "GET", path: "/api/admin/users" });
  }

  invite(body: UserInvite): Promise<User> {
    return this.http.json({ method: "POST", path: "/api/admin/users", json: body });
  }

  change(id: string, body: UserChange): Promise<User> {
    return this.http.json({ method: "PATCH", path: `/api/admin/users/${enc(id)}`, json: body });
  }

  signOutEverywhere(id: string): Promise<void> {
    return this.http.json({ method: "DELETE", path: `/api/admin/users/${enc(id)}/sessions` });
  }

  auditLog(filter: AuditFilter): Promise<AuditPage> {
    return this.http.json({ method: "GET", path: "/api/admin/audit-logs", query: { ...filter } });
  }
}
