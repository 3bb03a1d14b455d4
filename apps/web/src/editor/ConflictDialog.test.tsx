import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Article } from "../api/types.ts";
import { ConflictDialog } from "./ConflictDialog.tsx";
import { fieldsOf } from "./draft.ts";

const base: Article = {
  id: "9b3c8c1e-0000-4000-8000-000000000001",
  slug: "hello",
  title: "Hello",
  body: "Line one.\nLine two.\n",
  excerpt: "",
  coverMediaId: null,
  tags: [],
  status: "draft",
  publishedAt: null,
  trashedAt: null,
  authorId: null,
  version: 3,
  createdAt: "2026-01-01T10:00:00.000Z",
  updatedAt: "2026-01-01T10:00:00.000Z",
};
const theirs: Article = { ...base, version: 4, title: "Hello, world", body: "Line one.\nTheir line.\n", updatedAt: "2026-01-01T10:05:00.000Z" };
const mine = { ...fieldsOf(base), body: "Line one.\nMy line.\n" };

function renderDialog() {
  const onKeepMine = vi.fn();
  const onTakeTheirs = vi.fn();
  render(<ConflictDialog base={base} mine={mine} theirs={theirs} busy={false} onKeepMine={onKeepMine} onTakeTheirs={onTakeTheirs} />);
  return { onKeepMine, onTakeTheirs };
}

describe("ConflictDialog", () => {
  it("says what happened and which fields both sides changed", () => {
    renderDialog();
    const dialog = screen.getByRole("dialog", { name: "Someone else saved this article first" });
    expect(dialog).toHaveTextContent("Version 4 was saved");
    expect(dialog).toHaveTextContent("while you were editing version 3");
    expect(dialog).toHaveTextContent("You both changed: Text.");
  });

  it("compare shows their version against mine, line by line, and the other fields side by side", async () => {
    renderDialog();
    await userEvent.click(screen.getByRole("button", { name: "Compare" }));
    expect(screen.getByRole("button", { name: "Hide comparison" })).toHaveAttribute("aria-expanded", "true");
    const removed = [...document.querySelectorAll("del")].map((element) => element.textContent);
    const added = [...document.querySelectorAll("ins")].map((element) => element.textContent);
    expect(removed).toEqual(["− Their line.\n"]);
    expect(added).toEqual(["+ My line.\n"]);
    expect(screen.getByRole("heading", { name: "Title" })).toBeInTheDocument();
    expect(screen.getByText("Hello, world")).toBeInTheDocument();
  });

  it("keep mine and take theirs are the user's choices", async () => {
    const { onKeepMine, onTakeTheirs } = renderDialog();
    await userEvent.click(screen.getByRole("button", { name: "Keep mine" }));
    await userEvent.click(screen.getByRole("button", { name: "Take theirs" }));
    expect(onKeepMine).toHaveBeenCalledOnce();
    expect(onTakeTheirs).toHaveBeenCalledOnce();
  });
});
