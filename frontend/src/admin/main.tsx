import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { AdminHttp } from "./api/http";
import { TokenStore, tabStorage } from "./api/tokens";
import { AdminApp } from "./components/AdminApp";
import { socketLive } from "./live";
import "./admin.css";

const http = new AdminHttp({ tokens: new TokenStore(tabStorage()) });
const root = document.getElementById("admin-root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AdminApp http={http} connectLive={socketLive(http)} />
    </StrictMode>,
  );
}
