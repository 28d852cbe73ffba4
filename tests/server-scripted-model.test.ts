import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findArithmeticExpression } from '../src/server/model/expressions.ts';
import { fillArguments, meaningfulWords, namedFunctionTools } from '../src/server/model/functionTools.ts';
import { mentionsDocuments } from '../src/server/model/scriptedModel.ts';
import { functionTool } from './helpers/server.ts';

test('a tool name means its non-generic words', () => {
  assert.equal(meaningfulWords('get_weather'), ['weather']);
  assert.equal(meaningfulWords('get_current_weather'), ['weather']);
  assert.equal(meaningfulWords('lookupStockPrices'), ['stock', 'price']);
  assert.equal(meaningfulWords('get_data'), ['get', 'data']);
});

test('a message names the tools whose meaningful word it contains', () => {
  const tools = [functionTool('get_weather', 'city'), functionTool('get_stock_price', 'symbol'), { type: 'code_interpreter' as const }];
  const names = (text: string) => namedFunctionTools(tools, text).map((tool) => tool.function.name);
  assert.equal(names("What's the weather in Paris?"), ['get_weather']);
  assert.equal(names('Stock prices and the weather, please'), ['get_weather', 'get_stock_price']);
  assert.equal(names('Hello there'), []);
});

test('arguments are filled from the message by the parameter schema', () => {
  const schema = {
    type: 'object',
    properties: {
      city: { type: 'string' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer' },
      detailed: { type: 'boolean' },
    },
    required: ['city', 'unit'],
  };
  assert.equal(fillArguments(schema, "What's the weather in Paris?"), { city: 'Paris', unit: 'celsius' });
  assert.equal(fillArguments(schema, 'Forecast for New York in fahrenheit for 3 days'), { city: 'New York', unit: 'fahrenheit', days: 3 });
  assert.equal(fillArguments(schema, 'weather in paris'), { city: 'paris', unit: 'celsius' });
  assert.equal(fillArguments({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'] }, 'Search for "red shoes" now'), {
    query: 'red shoes',
  });
  assert.equal(fillArguments(undefined, 'anything'), {});
});

test('the arithmetic in a sentence is found, dates and prose are not arithmetic', () => {
  assert.is(findArithmeticExpression('What is 2**10 + 3*7?'), '2**10 + 3*7');
  assert.is(findArithmeticExpression('Compute (1.5 + 2.5) * 4, please.'), '(1.5 + 2.5) * 4');
  assert.is(findArithmeticExpression('and 7 // 0?'), '7 // 0');
  assert.is(findArithmeticExpression('-3 + 5 is what?'), '-3 + 5');
  assert.is(findArithmeticExpression('Meet me on 2024-01-05 at 10'), undefined);
  assert.is(findArithmeticExpression('I have 3 apples'), undefined);
  assert.is(findArithmeticExpression('the theme is eee'), undefined);
});

test('a message asks about the documents when it names them', () => {
  assert.ok(mentionsDocuments('What does the travel policy say about hotels?'));
  assert.ok(mentionsDocuments('Check the attached files'));
  assert.ok(mentionsDocuments('according to the handbook'));
  assert.not.ok(mentionsDocuments('What is 6 * 7?'));
  assert.not.ok(mentionsDocuments('Profile the documentary'));
});

test.run();
