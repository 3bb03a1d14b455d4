import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../api/errors.ts";
import { ErrorMessage } from "./ErrorMessage.tsx";

describe("ErrorMessage", () => {
  it("shows the API's explanation, the bad fields and the request id to quote", () => {
    const error = new ApiError({
      status: 400,
      code: "validation",
      detail: "The request body is invalid.",
      requestId: "0f6a52a4",
      errors: [{ in: "body", path: "slug", message: "lowercase letters, digits and single hyphens" }],
    });
    render(<ErrorMessage error={error} />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Some values are not valid");
    expect(alert).toHaveTextContent("The request body is invalid.");
    expect(alert).toHaveTextContent("slug: lowercase letters, digits and single hyphens");
    expect(alert).toHaveTextContent("Request id: 0f6a52a4");
  });

  it("explains a network failure in plain words", () => {
    render(<ErrorMessage error={new NetworkError("http://api.test/v1/articles", 3, "abc.3")} />);
    expect(screen.getByRole("alert")).toHaveTextContent("No connection to the server");
    expect(screen.getByRole("alert")).toHaveTextContent("Could not reach the API at http://api.test (tried 3 times).");
    expect(screen.getByRole("alert")).toHaveTextContent("Request id: abc.3");
  });
});
